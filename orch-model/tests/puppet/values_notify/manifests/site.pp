warning(String(Notify))
site { }
