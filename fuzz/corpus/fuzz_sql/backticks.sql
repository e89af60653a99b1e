SELECT `a``b`.`c` FROM `x``y`;
-- trailing comment without newline