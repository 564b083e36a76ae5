warning(String(Class['foo']))
site { }
