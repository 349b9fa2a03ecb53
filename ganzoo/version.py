"""The version of ganzoo, written into the metadata of every file it saves."""

__version__ = "0.1.0"
