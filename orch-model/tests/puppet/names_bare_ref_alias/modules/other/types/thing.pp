type Other::Thing = Integer
