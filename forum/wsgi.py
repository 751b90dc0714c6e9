"""The WSGI entry point for gunicorn: production settings unless FORUM_CONFIG says otherwise."""

import os

from config import CONFIGS
from forum import create_app

app = create_app(CONFIGS[os.environ.get("FORUM_CONFIG", "production")])
