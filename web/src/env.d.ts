/// <reference types="vite/client" />

type ImportMetaEnv = {
  readonly VITE_CURRENCY?: string;
};
