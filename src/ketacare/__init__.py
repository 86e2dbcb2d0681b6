"""KetaCare: software for running a ketamine treatment program for depression."""

__version__ = "0.1.0"
