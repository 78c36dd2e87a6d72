"""The WSGI application.  Served by gunicorn, uWSGI or mod_wsgi, SIGAP runs as production
(``SIGAP_ENV=production`` unless the environment says otherwise): it refuses to start with the public
default secret key (settings.py, sigap.deploy).  Django's runserver (``sigap demo``) stays development."""

import os
import sys

if any(server in sys.modules for server in ("gunicorn", "uwsgi", "mod_wsgi")):
    os.environ.setdefault("SIGAP_ENV", "production")

from django.core.wsgi import get_wsgi_application  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
application = get_wsgi_application()
