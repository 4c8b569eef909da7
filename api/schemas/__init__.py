"""marshmallow schemas of the API, apart from the views."""
