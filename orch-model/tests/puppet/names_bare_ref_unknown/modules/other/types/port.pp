type Other::Port = Integer[1, 65535]
