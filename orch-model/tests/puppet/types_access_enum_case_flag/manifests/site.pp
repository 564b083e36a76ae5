$x = Enum['a', true] warning($x)
site { }
