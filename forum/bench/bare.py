"""The physical limit of the stack: a Flask route that returns a captured page, no work.

Served by gunicorn with the forum's own settings, it shows what the server, the WSGI layer
and the network cost on this machine, so each page's throughput can be given as a share
of it and compared across machines.
"""

import os
from pathlib import Path

from flask import Flask

app = Flask(__name__)
PAGE = Path(os.environ["BENCH_BARE_HTML"]).read_bytes()


@app.route("/")
def page():
    return PAGE, 200, {"Content-Type": "text/html; charset=utf-8"}
