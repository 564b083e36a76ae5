warning(String(3 ? { Integer => 'i', default => 'd' }))
site { }
