$x = Regexp[1]
site { }
