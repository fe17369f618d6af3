"""The core: the attention engine, its input checks, the built-in example and the checks of
user text. numpy and the standard library only: no widget, no wire, no figure."""
