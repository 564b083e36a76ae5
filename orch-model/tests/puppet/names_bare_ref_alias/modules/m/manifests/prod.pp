define m::prod($host = 'h') { }
M::Prod produces Cap { host => $host }
