import '@fontsource-variable/inter';
import './styles/tokens.css';
import './styles/base.css';
import './styles/components.css';
import './styles/layout.css';
import './styles/screens.css';
import { bootstrap } from './app/bootstrap';
import { registerServiceWorker } from './app/service-worker';
import { applyTheme, watchSystemTheme } from './shell/theme';

applyTheme();
watchSystemTheme();
const root = document.getElementById('root');
if (root) void bootstrap(root);
registerServiceWorker();
