define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
define thing() { }
application thing { }
site { }
