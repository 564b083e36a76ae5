$x = Variant[1]
site { }
