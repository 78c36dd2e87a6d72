"""SIGAP: APBD-funded BPJS Ketenagakerjaan coverage for vulnerable informal workers."""

__version__ = "0.1.0"
