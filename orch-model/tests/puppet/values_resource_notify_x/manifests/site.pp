warning(String(Resource['notify', 'x']))
site { }
