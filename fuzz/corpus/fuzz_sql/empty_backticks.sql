SELECT #`aELECT #`a``b@.`c`V FROM ``x`y`;
-- traili``y`;
-- trailing cone