"""Background jobs with progress (django-tasks) and the Admin Dinas intake screens."""
