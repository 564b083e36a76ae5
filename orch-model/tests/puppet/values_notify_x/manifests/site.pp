warning(String(Notify['x']))
site { }
