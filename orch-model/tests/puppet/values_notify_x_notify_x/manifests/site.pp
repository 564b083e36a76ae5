notify { 'x': } warning(String(Notify['x'] == Notify['X']))
site { }
