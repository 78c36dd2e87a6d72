"""Configuration: production refuses the public default key; ``check --deploy`` flags what a real
install must set and is clean once it is set; SIGAP_STATUS_KEY is read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks

from sigap.deploy import DEFAULT_SECRET_KEY, parse_networks, secret_key_problems

GOOD_KEY = "k7Qz-" + "9fT2xL0pWv8sRm4YbN6cJh3uEa1dGi5oKq7ZtXy2Vw0sLp9e"
PRODUCTION = {
    "SIGAP_ENV": "production",
    "SIGAP_SECRET_KEY": GOOD_KEY,
    "SIGAP_ALLOWED_HOSTS": "sigap.bekasikota.go.id",
    "SIGAP_HTTPS": "1",
}


def _python(code: str, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter with only the given SIGAP_* variables (the embedded default)."""
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' conftest for this process only
    dropped = ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SIGAP_") and k not in dropped}
    clean.update(
        {"DJANGO_SETTINGS_MODULE": "sigap.settings", "SIGAP_DATA_DIR": str(tmp_path / "data"), **env}
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


CHECK = "import sys; from django.core.management import execute_from_command_line as m; m(['sigap', 'check', *sys.argv[1:]])"


def _ids() -> set[str]:
    return {m.id for m in run_checks(include_deployment_checks=True) if m.id and m.id.startswith("sigap.")}


def test_key_rules() -> None:
    assert secret_key_problems(DEFAULT_SECRET_KEY) and "not set" in secret_key_problems(DEFAULT_SECRET_KEY)[0]
    assert any("characters" in p for p in secret_key_problems("short"))
    assert any("different characters" in p for p in secret_key_problems("ab" * 40))
    assert secret_key_problems(GOOD_KEY) == []
    assert [str(n) for n in parse_networks(" 10.0.0.5, 10.1.0.0/16 ,fd00::/8")] == [
        "10.0.0.5/32",
        "10.1.0.0/16",
        "fd00::/8",
    ]
    with pytest.raises(ValueError, match="SIGAP_TRUSTED_PROXIES: 'proxy.local'"):
        parse_networks("proxy.local")


def test_deploy_checks_flag_what_a_real_install_must_set(settings: Any) -> None:
    settings.SECRET_KEY = DEFAULT_SECRET_KEY
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    settings.SIGAP_HTTPS = False
    assert {"sigap.E001", "sigap.W003", "sigap.W004"} <= _ids()
    settings.SECRET_KEY = "too-short-a-key"
    settings.ALLOWED_HOSTS = ["*"]
    settings.SIGAP_STATUS_KEY = "short"
    settings.SIGAP_RATELIMIT_STORE = "cache"  # the per-process memory cache of the default install
    assert {"sigap.E002", "sigap.W003", "sigap.W005", "sigap.W006"} <= _ids()
    settings.SECRET_KEY = GOOD_KEY
    settings.ALLOWED_HOSTS = ["sigap.bekasikota.go.id"]
    settings.SIGAP_HTTPS = True
    settings.SIGAP_STATUS_KEY = ""
    settings.SIGAP_RATELIMIT_STORE = "auto"
    assert _ids() == set()


def test_plain_checks_leave_the_demo_alone(settings: Any) -> None:
    settings.SECRET_KEY = DEFAULT_SECRET_KEY
    assert not [m for m in run_checks() if m.id and m.id.startswith("sigap.")]


def test_production_refuses_the_default_key(tmp_path: Path) -> None:
    env = {**PRODUCTION}
    del env["SIGAP_SECRET_KEY"]
    done = _python(CHECK, tmp_path, **env)
    assert done.returncode != 0
    assert (
        "SIGAP_ENV=production: refusing to start" in done.stderr
        and "SIGAP_SECRET_KEY is not set" in done.stderr
    )
    debug = _python(CHECK, tmp_path, **PRODUCTION, SIGAP_DEBUG="1")
    assert debug.returncode != 0 and "SIGAP_DEBUG=1" in debug.stderr


def test_gunicorn_means_production(tmp_path: Path) -> None:
    """sigap.wsgi under a WSGI server (here: gunicorn imported) is production unless told otherwise;
    Django's runserver, the CLI and the tests are development."""
    serve = "import gunicorn, sigap.wsgi; print('served')"
    refused = _python(serve, tmp_path)
    assert refused.returncode != 0 and "refusing to start" in refused.stderr
    assert _python(serve, tmp_path, SIGAP_ENV="development").stdout.strip() == "served"
    assert _python(serve, tmp_path, SIGAP_SECRET_KEY=GOOD_KEY).stdout.strip() == "served"
    assert _python("import sigap.wsgi; print('served')", tmp_path).stdout.strip() == "served"


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    deploy = _python(CHECK, tmp_path, "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert "System check identified no issues (1 silenced)." in deploy.stdout


def test_status_key_is_read_from_the_environment(tmp_path: Path) -> None:
    code = "import django; django.setup(); from django.conf import settings; print(repr(settings.SIGAP_STATUS_KEY))"
    assert _python(code, tmp_path).stdout.strip() == "''"
    assert _python(code, tmp_path, SIGAP_STATUS_KEY="s" * 40).stdout.strip() == repr("s" * 40)
