from flask import Blueprint

bp = Blueprint("threads", __name__)
