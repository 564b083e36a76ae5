function n::f($x) { "f:${x}" }
