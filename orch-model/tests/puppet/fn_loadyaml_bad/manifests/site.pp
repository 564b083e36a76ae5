$bad = loadyaml('bad.yaml')
site { }
