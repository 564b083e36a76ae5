$x = NotUndef[1]
site { }
