$a = Class['Foo-bar']
site { }
