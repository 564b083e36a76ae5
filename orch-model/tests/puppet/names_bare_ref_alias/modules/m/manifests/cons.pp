define m::cons($host = undef) { }
M::Cons consumes Cap { }
