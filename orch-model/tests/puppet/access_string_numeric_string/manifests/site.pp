$x = 'abc'['1'] warning($x)
site { }
