import subprocess
import sys

import pytest

from jishi.cli import main


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "jishi serve" in out and "jishi demo" in out and "jishi manage" in out


def test_an_unknown_command_fails_with_usage(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2


def test_settings_come_from_the_environment(tmp_path):
    env = {"JISHI_VAR_DIR": str(tmp_path), "DEBUG": "false", "PATH": "/usr/bin:/bin",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "ALLOWED_HOSTS": "shop.example"}
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='jishi.settings'; django.setup();"
            "from django.conf import settings as s;"
            "print(s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['NAME'].endswith('x.sqlite3'),"
            " s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1], len(s.SECRET_KEY) > 40)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "['shop.example']", "True", "LocMemCache", "True"]
    assert (tmp_path / "secret_key").exists()


def test_help_lists_the_worker(capsys):
    with pytest.raises(SystemExit):
        main(["help"])
    assert "jishi worker" in capsys.readouterr().out


def test_the_worker_needs_redis(settings):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.REDIS_URL = ""
    with pytest.raises(CommandError, match="REDIS_URL"):
        call_command("worker")
