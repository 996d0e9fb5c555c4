declare module 'minimist';
