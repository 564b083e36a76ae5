$a = Notify['a', 1]
site { }
