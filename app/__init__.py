"""posterx service core: settings, database, storage and the Flask API."""
