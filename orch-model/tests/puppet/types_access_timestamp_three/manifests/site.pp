$x = Timestamp[1, 2, 3]
site { }
