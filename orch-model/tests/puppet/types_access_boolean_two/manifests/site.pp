$x = Boolean[true, false]
site { }
