$x = Enum[['a', 'b']] warning($x)
site { }
