"""The widgets: a base class (the frontend bundle, the lock, what a view may set, the PNG
fallback), AttentionWidget and AttentionHeads. Built on core, wire and figures."""
