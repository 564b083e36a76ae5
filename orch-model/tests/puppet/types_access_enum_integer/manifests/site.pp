$x = Enum[1]
site { }
