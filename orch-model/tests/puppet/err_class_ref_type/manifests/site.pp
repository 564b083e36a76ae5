$a = Class[Apache]
site { }
