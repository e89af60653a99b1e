inset into t select a from s;
SELEC 1;
