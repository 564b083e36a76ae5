$x = Optional['x'] warning($x)
site { }
