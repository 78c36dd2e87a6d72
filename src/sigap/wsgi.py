"""The WSGI application.  Served by gunicorn, uWSGI or mod_wsgi, SIGAP runs as production
(``SIGAP_ENV=production`` unless the environment says otherwise): it refuses to start with the public
default secret key (settings.py, sigap.deploy).  Django's runserver (``sigap demo``) stays development."""

import os
import sys

if any(server in sys.modules for server in ("gunicorn", "uwsgi", "mod_wsgi")):
    os.environ.setdefault("SIGAP_ENV", "production")

from django.core.wsgi import get_wsgi_application  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")

django_application = get_wsgi_application()

from sigap.web.fastcheck import FastCitizenCheck  # noqa: E402 -- after Django's set-up
from sigap.web.warmup import warm_up  # noqa: E402

# the first request's imports, catalogs and templates, paid here once (before gunicorn forks its workers)
warm_up()

# the public status check answered in front of Django's request cycle when Django's own checks allow
# (SIGAP_FAST_CITIZEN_CHECK=0: every request through the whole stack)
fast = os.environ.get("SIGAP_FAST_CITIZEN_CHECK", "1").strip() != "0"
application = FastCitizenCheck(django_application) if fast else django_application
