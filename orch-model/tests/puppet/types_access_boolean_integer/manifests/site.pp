$x = Boolean[1]
site { }
