define prod($host = "h") { }
Prod produces Cap { }
Nosuch produces Cap { }
Class[nosuchclass] consumes Cap { }
site { }
