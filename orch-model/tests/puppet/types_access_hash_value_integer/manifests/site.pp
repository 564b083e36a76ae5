$x = Hash[Integer, 1]
site { }
