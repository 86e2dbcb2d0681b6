"""The application's settings with the bench pages' URLs (bench only).

Static files are served by name, without collectstatic's hashed manifest (as the test suite
does): a page's `{% static %}` then costs a path join instead of a dictionary lookup.
"""

from ketacare.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.support.urls"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
