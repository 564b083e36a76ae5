define m::prod($host = 'h') { }
