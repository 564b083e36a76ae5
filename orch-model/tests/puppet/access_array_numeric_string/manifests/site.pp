$x = [1, 2]['1'] warning($x)
site { }
